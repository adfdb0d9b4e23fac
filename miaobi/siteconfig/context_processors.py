from .selectors import current_site_settings


def site(request):
    return {"site": current_site_settings()}
