"""Several replicas of the explorer behind nginx, for a class one server process cannot serve.

``python -m deploy --replicas 2`` starts two ``streamlit run app.py`` processes on loopback ports
and nginx in front of them (sticky sessions, websockets); ``deploy/compose.yaml`` does the same
with containers on a school server. Both use the nginx config made from
``deploy/nginx.conf.template`` (``deploy/replicas.py``). The default stays ``streamlit run app.py``.
"""
