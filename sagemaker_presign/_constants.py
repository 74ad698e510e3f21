"""The API's fixed numbers, as timedeltas (the service's own units are seconds)."""

from __future__ import annotations

from datetime import timedelta

#: How long a presigned URL can be opened after the service issued it.
URL_VALIDITY = timedelta(minutes=5)
#: The shortest Jupyter session the service accepts.
MIN_SESSION_DURATION = timedelta(minutes=30)
#: The longest Jupyter session the service accepts.
MAX_SESSION_DURATION = timedelta(hours=12)
#: The session length the service applies when none is asked for.
DEFAULT_SESSION_DURATION = timedelta(hours=12)

#: How long a Studio, MLflow or partner app URL can be opened when ``expires_in`` is not given.
DEFAULT_EXPIRES_IN = timedelta(seconds=300)

#: The longest notebook instance name the service accepts.
MAX_NAME_LENGTH = 63
