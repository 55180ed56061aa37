"""German NLU helpers: input sanitising, number extraction, language guard, spaCy pipeline."""
