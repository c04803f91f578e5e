from django.core.checks import Warning, register

from .pdf_report import missing_fonts


@register()
def liberation_serif_installed(app_configs, **kwargs):
    """The official report's PDF needs Liberation Serif; say so at start-up rather than when a job fails."""
    missing = missing_fonts()
    if not missing:
        return []
    return [Warning(f"Liberation Serif is missing: {', '.join(missing)}",
                    hint="Install the Debian package fonts-liberation2 (make setup) or set OFFICIAL_REPORT_FONT_DIR.",
                    id="reporting.W001")]
