"""Online services: desired state in the database, made real in Ray Serve."""
