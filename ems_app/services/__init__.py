"""The hub's rules, one place each, free of Flask: routes and socket handlers only call these."""
