"""`gunicorn wsgi:app`"""

from tracker import create_app, keys
from tracker.attachments.maintenance import sweep_at_start

app = create_app()
# production refuses to serve without its key file (development writes one)
keys.require(app)
# remove temporary files and upload rows that never became ready (a crash mid-upload)
sweep_at_start(app)
