"""Amenability, medical and fear screenings arrive in step 2 onwards."""
