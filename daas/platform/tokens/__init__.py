"""API tokens: roles, authentication and the first-start admin token."""
