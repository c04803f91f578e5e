"""The embedded default's task backend: run each task in a daemon thread of the web process, after commit.

``make run`` needs no worker process: a task enqueued inside a transaction starts once that transaction
commits (and never if it rolls back), like a row the database backend's ``db_worker`` would only see after
commit. Scale mode uses ``django_tasks_db.DatabaseBackend`` and ``manage.py db_worker`` instead
(docs/architecture-tasks.md). ``OPTIONS={"THREAD": False}`` runs the task inline at commit (the test suite).

Built on django-tasks' public API only: ``BaseTaskBackend`` for the backend, and the running itself is
``ImmediateBackend.enqueue`` (public), which runs the task at once in the calling thread, records a failure on
its result (status FAILED, exception class and traceback) and logs it through the ``task_finished`` signal,
never raising the task's exception. The result ``enqueue`` returns is READY; the run's result is kept in this
process (the last ``RESULTS_KEPT``) for ``get_result``/``TaskResult.refresh()``.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from functools import partial
from typing import Any

from django.db import close_old_connections, connections, transaction
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.utils import get_random_id

log = logging.getLogger(__name__)

RESULTS_KEPT = 1000


class ThreadBackend(BaseTaskBackend):
    supports_async_task = True
    supports_priority = True  # accepted, as ImmediateBackend does; tasks run in commit order
    supports_get_result = True  # within this process: results live in its memory

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.use_thread = bool(self.options.get("THREAD", True))
        self._runner = ImmediateBackend(alias, params)
        self._results: OrderedDict[str, TaskResult] = OrderedDict()
        self._lock = threading.Lock()

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            last_attempted_at=None, finished_at=None, args=args, kwargs=kwargs, backend=self.alias, errors=[],
            worker_ids=[],
        )
        self._keep(result.id, result)
        # robust: whatever goes wrong starting the task is logged; the committed change and its request stand.
        transaction.on_commit(partial(self._start, result), robust=True)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        """The READY result until the task has run, then the run's own result (which carries its own id)."""
        with self._lock:
            try:
                return self._results[result_id]
            except KeyError:
                raise TaskResultDoesNotExist(result_id) from None

    def _keep(self, result_id: str, result: TaskResult) -> None:
        with self._lock:
            self._results[result_id] = result
            self._results.move_to_end(result_id)
            while len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)

    def _start(self, result: TaskResult) -> None:
        if not self.use_thread:
            self._run(result)
            return
        threading.Thread(target=self._run_in_thread, args=(result,), daemon=True,
                         name=f"task-{result.task.name}-{result.id[:8]}").start()

    def _run(self, result: TaskResult) -> None:
        try:
            finished = self._runner.enqueue(result.task, result.args, result.kwargs)
        except Exception:  # e.g. a task_started receiver failed: still never into the web process
            log.exception("task %s (%s) could not be run", result.id, result.task.module_path)
            return
        self._keep(result.id, finished)

    def _run_in_thread(self, result: TaskResult) -> None:
        close_old_connections()
        try:
            self._run(result)
        finally:
            connections.close_all()
