"""Users, groups and the permission policy."""
