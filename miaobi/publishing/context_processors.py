from .seo import PublishingHelpers


def publishing(request):
    """`publishing` in the public templates: share/SEO helpers, computed only when a template uses them."""
    return {"publishing": PublishingHelpers(request)}
