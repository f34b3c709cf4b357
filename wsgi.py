"""`gunicorn wsgi:app`"""

from tracker import create_app
from tracker.attachments.maintenance import sweep_at_start

app = create_app()
# remove temporary files and upload rows that never became ready (a crash mid-upload)
sweep_at_start(app)
