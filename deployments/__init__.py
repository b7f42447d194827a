"""Ray Serve deployments of hienfeld-serve and the application graph (deployments.app)."""
