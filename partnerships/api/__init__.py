"""The researchers' REST API: ``urls`` (routes, schema, docs), ``base`` (pagination,
permissions, errors, CSV), ``fields`` (dates, periods, sources), ``known_at`` (answers from
history), and the core's resources by topic: ``partners``, ``facts`` (milestones, sources,
cooperation areas), ``matrices``, ``provenance`` (releases, reconciliation, quality),
``search`` and ``tokens``. The apps' resources live in their own ``api.py``."""
