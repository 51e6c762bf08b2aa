"""The thin web layer: parse the request, call a service, render HTML or JSON."""
