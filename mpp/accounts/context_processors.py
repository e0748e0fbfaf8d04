from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, object]:
    """Expose the signed-in user's role names to templates (for menus; never as the access check)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset()}
    return {"user_roles": user.role_names}
