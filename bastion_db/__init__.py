"""One component resource per module; each reads typed settings, never config."""
