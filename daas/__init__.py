"""DaaS-Deployer: model deployment on Ray."""

__version__ = "0.1.0"
