"""The session store (``SESSION_ENGINE``): Django's database store, on ``mpp.accounts.models.Session``, which
keeps the user's id in a column, so that one query reads the session, its user with roles and duty locations,
and the user's unread notifications for the header's badge.

Every signed-in request used to begin with two queries, the session and then the user (with its roles and
duty locations: ``mpp.accounts.selectors.user_with_access``), and every page added a third, the badge's
count. On this kind of machine each query costs a round trip in which the database wakes up (about 0.3-0.5 ms
with the app's own work between queries, 2026-12-06), whatever the query does.

The store offers the user it read to the sign-in backend for this request
(``mpp.accounts.backends.offer_user``); Django then checks it as it checks any user of a session: the id in
the session data must be the backend's user's, and the session's password hash must still match. Roles, duty
locations and ``is_active`` are read on every request, so a role taken away or a deactivated account takes
effect on the next request, as before. The badge's count is the count at the start of the request: a page
that changes it (a POST) counts again (``cases.templatetags.ui.unread_notifications``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from mpp.accounts.backends import offer_user
from mpp.accounts.models import Session, User
from mpp.accounts.selectors import USER_WITH_ACCESS_COLUMNS
from mpp.outbox.models import Notification
from mpp.outbox.selectors import NOTIFICATION_BADGE_CAP

# Constants only (table names, a number) are written in; the key and the time are parameters.
SESSION_WITH_USER_SQL = f"""
SELECT {USER_WITH_ACCESS_COLUMNS},
    (SELECT count(*) FROM (SELECT 1 FROM {Notification._meta.db_table} n
        WHERE n.user_id = u.id AND n.read_at IS NULL LIMIT {NOTIFICATION_BADGE_CAP + 1}) unread
    ) AS preloaded_unread,
    s.session_key AS session_key_, s.session_data AS session_data_, s.expire_date AS session_expire_date_
FROM {Session._meta.db_table} s LEFT JOIN accounts_user u ON u.id = s.user_id
WHERE s.session_key = %s AND s.expire_date > %s
"""  # noqa: S608


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        """The row to save, with the signed-in user's id from the data (None when nobody is signed in)."""
        row = super().create_model_instance(data)
        assert isinstance(row, Session)  # get_model_class
        try:
            row.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            row.user_id = None
        return row

    def _get_session_from_db(self) -> Session | None:
        """The session row (None when there is none, or it expired), reading its user with it (offered to
        the sign-in backend)."""
        offer_user(None)
        key = self.session_key
        if key is None:
            self._session_key = None
            return None
        try:
            found = next(iter(User.objects.raw(SESSION_WITH_USER_SQL, [key, timezone.now()])), None)
        except SuspiciousOperation as error:  # as Django's store: logged, and the session is not loaded
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            found = None
        if found is None:
            self._session_key = None
            return None
        session = Session(
            session_key=found.session_key_,  # type: ignore[attr-defined]
            session_data=found.session_data_,  # type: ignore[attr-defined]
            expire_date=found.session_expire_date_,  # type: ignore[attr-defined]
            user_id=found.pk,
        )
        if found.pk is not None:
            offer_user(found)
        return session
