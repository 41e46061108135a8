"""Serving reads cheaply: the data stamp, conditional requests and the shared response
cache (see :mod:`partnerships.serving.conditional`)."""
