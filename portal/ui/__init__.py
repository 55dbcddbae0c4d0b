"""What every screen shares: the `{% load ui %}` template library (formatting in the
reader's locale, when something happened, the empty state) and the choices templates
compare with. Only templates and settings refer to it, so it may draw on every app."""
