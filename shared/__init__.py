"""The domain both apps share: schemas, record sources, tokens, audit and storage.

Nothing here imports Flask, so the rules live in one place and both apps call them."""
