"""Server-rendered pages: the patient's progress and the physio's dashboard.

Signed in with the same accounts as the API; a page session is an AuthSession like
a device's, kept in a signed, HTTP-only cookie, and every form carries a CSRF token.
"""

from tracker.web.views import blp

__all__ = ["blp"]
