"""Hearings, tear sheets and completions arrive in a later step; the courts and hearing facilities they
use are already reference data (``mpp.accounts.models.Location``)."""
