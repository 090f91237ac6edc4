"""The resource directory: verified local help found by ZIP code or town (issue 4)."""

from hotline.resources.directory import Directory, DirectoryError, load_directory
from hotline.resources.format import format_sms, format_voice, load_labels
from hotline.resources.index import ensure_index, rebuild_index
from hotline.resources.search import search
from hotline.resources.views import ResourceView, SearchResult

__all__ = [
    "Directory",
    "DirectoryError",
    "ResourceView",
    "SearchResult",
    "ensure_index",
    "format_sms",
    "format_voice",
    "load_directory",
    "load_labels",
    "rebuild_index",
    "search",
]
