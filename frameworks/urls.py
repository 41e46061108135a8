"""URLs (filled in by the work in progress)."""

urlpatterns: list = []
