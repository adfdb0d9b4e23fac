"""Interim search over titles and bodies; snippets come only from what the gate lets the viewer see.

The full-text search issue replaces the matching (FTS5 / tsvector, segmentation, facets) and
keeps this contract.
"""
from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import render

from miaobi.library.gate import text_for_viewer
from miaobi.library.models import Article
from miaobi.library.views import paginate

from .query import normalise_query, query_terms
from .snippets import snippet_for

SNIPPET_CHARS = 90


def search(request):
    query, truncated = normalise_query(request.GET.get("q", ""))
    terms = query_terms(query)
    page = None
    results = []
    if terms:
        condition = Q()
        for term in terms:
            condition &= Q(title__icontains=term) | Q(body__icontains=term)
        articles = Article.objects.published().filter(condition).select_related("genre").newest_first()
        page = paginate(request, articles)
        for article in page.object_list:
            reading = text_for_viewer(article, request.user)
            results.append((article, snippet_for(reading.visible_text, terms, SNIPPET_CHARS)))
    return render(request, "search/results.html", {
        "query": query, "query_qs": urlencode({"q": query}), "truncated": truncated, "terms": terms, "page": page, "results": results,
    })
