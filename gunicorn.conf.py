"""gunicorn settings, read from the working directory by every way the app is served (make run, make web,
the image, compose).

The access log leaves out query strings and referrers: searches and look-ups carry names, dates of birth
and A-numbers in their URLs, and the log must not become a second, unaudited copy of personal data.
Who looked at which record is recorded in the application's own access log (mpp.audit).
"""

accesslog = "-"
# Like gunicorn's default, without %(r)s (the request line with its query string) and %(f)s (the referrer).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
