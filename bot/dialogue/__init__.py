"""Understanding a customer's message in the context of the conversation (issue 13)."""
