"""Every call from the management plane into Ray goes through this package.

``worker`` (model inspection and test scoring), ``serve`` (service applications),
``jobs`` (batch runs as Ray jobs) and ``cluster`` (joining Ray, deploying the platform).
"""
