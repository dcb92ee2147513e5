"""Serving attention-lab beyond one process: Streamlit replicas behind HAProxy, and the files for containers.

What lives here:

- ``haproxy.cfg.template`` and ``haproxy_config.py``: the balancer's configuration (cookie session
  affinity, websocket tunnels, health checks on ``/_stcore/health``) and its rendering for replicas
  on this machine or found through a container network's DNS (``haproxy-compose.cfg``);
- ``replicas.py``: the command, environment and health wait of one Streamlit replica, every
  replica sharing one ``server.cookieSecret``;
- ``serve.py``: ``python -m deploy.serve --replicas N --port P``, N replicas and HAProxy on this
  machine, stopped together on Ctrl+C;
- ``Dockerfile``, ``compose.yaml`` and ``k8s/``: the same setup for Docker Compose and Kubernetes.

This package imports the standard library only (not ``core``, ``ui`` nor Streamlit): it starts the
app as a program, the way a user does.
"""
