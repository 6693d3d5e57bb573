"""ocrmodels: recognizer and detector models trained on synthgen data (coming next)."""
