from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin


def chosen_language(cookie_value: str | None) -> str:
    """The language of a request: the switcher's cookie when it names one we have, else Vietnamese."""
    available = {code for code, _ in settings.LANGUAGES}
    return cookie_value if cookie_value in available else settings.LANGUAGE_CODE


class VietnameseFirstLocaleMiddleware(MiddlewareMixin):
    """Vietnamese unless the visitor chose otherwise with the language switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, but many
    Vietnamese officials and buyers run English-language browsers; the event's
    language is Vietnamese, so only an explicit choice (the cookie) switches it.
    """

    def process_request(self, request):
        translation.activate(chosen_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


CLEAR_SITE_DATA = '"storage"'


def _mark_logged_out(sender, request=None, **kwargs) -> None:
    if request is not None:
        request.clear_site_data = True


class ClearSiteDataOnLogoutMiddleware:
    """A logout answer tells the browser to drop this site's storage: ``Clear-Site-Data: "storage"``.

    Whatever page the logout came from (the header's form on any page, the admin), the browser then deletes the
    origin's IndexedDB, Cache Storage, localStorage and service worker registrations, so an offline check-in desk
    cannot open afterwards with the previous user's badge list or a cached signed-in copy of the desk page.
    Cookies are not named: the language cookie stays (the session cookie is ended by the logout itself).
    Browsers honour the header on HTTPS and on localhost only. The desk page warns before a logout that would
    drop scans not yet uploaded (checkin/static/checkin/desk-offline.js, static/js/app.js).
    """

    def __init__(self, get_response):
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_mark_logged_out, dispatch_uid="clear_site_data_on_logout")
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "clear_site_data", False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class DatabaseUnavailableMiddleware:
    """When the database is down (restart, failover), answer 503 with Retry-After instead of a 500.

    The transaction that failed was never committed, so nothing is half-written; the page says
    so, and clients (the check-in desk, scanners) retry.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import JsonResponse
        from django.template.response import TemplateResponse

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        wants_json = "application/json" in request.headers.get("Accept", "") or request.path.startswith("/api/")
        if wants_json:
            response = JsonResponse({"status": "error", "reason": "service_unavailable"}, status=503)
        else:
            response = TemplateResponse(request, "503.html", status=503)
            response.render()
        response["Retry-After"] = "5"
        return response
