"""gunicorn settings, read from the working directory by every way the app is served (make run, make web,
the image, compose).

The access log leaves out query strings and referrers: searches and look-ups carry names, dates of birth
and A-numbers in their URLs, and the log must not become a second, unaudited copy of personal data.
Who looked at which record is recorded in the application's own access log (mpp.audit).
"""

accesslog = "-"
# Like gunicorn's default, without %(r)s (the request line with its query string) and %(f)s (the referrer).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'


# No Server banner: it only tells a scanner what to try. gunicorn writes "Server: gunicorn" itself, before the
# application's headers, in Response.default_headers (gunicorn/http/wsgi.py, 27.x; HTTP/1 — HTTP/2 is not
# enabled here), and has no setting for it, so that one line is dropped. Patched here, in the master process,
# before the workers are forked from it.
# tests/mpp/test_gunicorn_conf.py starts gunicorn with this file and reads the headers, so an upgrade that
# moves the banner elsewhere fails the test instead of bringing it back unnoticed.
def _drop_server_banner() -> None:
    from gunicorn.http import wsgi

    original = wsgi.Response.default_headers
    if getattr(original, "drops_server_banner", False):
        return  # the file was read twice (e.g. on reload)

    def default_headers(self: wsgi.Response) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers.drops_server_banner = True
    wsgi.Response.default_headers = default_headers


_drop_server_banner()


# Each worker, once it has loaded the app: the collector tuned for request work (mpp/runtime.py says why and
# what was measured). tests/mpp/test_gunicorn_conf.py checks gunicorn takes the hook and what the hook does.
def post_worker_init(worker: object) -> None:
    from mpp.runtime import tune_gc

    tune_gc()
