"""The read side: one named function per GET page, taking a session and plain arguments and returning
one typed object that the view renders as HTML or serialises as its JSON twin.

Each read function owns its page's rules (who sees a deleted event, an actor's family, paging, which
rows a listing reads) and raises domain errors (NotFound, Invalid); views only parse and render.
"""
