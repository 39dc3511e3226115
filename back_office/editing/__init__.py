"""Safe edits of the guide's YAML files by staff: validated, atomic, versioned, recorded.

Every save follows the same path:

1. under a lock, read the file and compare the version the editor saw (a sha256 of the
   entry's values, or of the whole file) with what is on disk now — a mismatch is an
   :class:`EditConflict` and nothing is written (no lost update);
2. change the entry in ruamel.yaml's round-trip mode, so comments, order and quoting of
   the rest of the file stay as the developers wrote them;
3. validate the new text exactly as ``guide check`` does (``load_guide`` on a temporary
   copy of data/guide and the office's data pack, data/offices/<office>, that contains the
   new file) — a :class:`GuideDataError` means nothing is written;
4. write atomically (temporary file in the same directory, fsync, ``os.replace``), record
   who/when/what (a unified diff) in the history, and re-render
   data/nlu/generated_from_guide.yml when names or synonyms changed.

The running kiosk and action server pick guide changes up through GuideStore's mtime check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import yaml

from back_office.editing.entries import (DESK_FIELDS, FIELDS, KINDS, GuideEntries, entry_values,
                                         extra_checks, validate_guide_text)
from back_office.editing.errands import Errands
from back_office.editing.examples import TrainingExamples, check_nlu_text
from back_office.editing.files import (GENERATED_NLU, HELDOUT, STAFF_NLU, Change, EditConflict, EditError,
                                       Project, SaveResult, atomic_write, locked, sha256_text,
                                       values_version)
from back_office.editing.history import History
from back_office.editing.items import (MISSING, changed_items, item_label, items_of, restore_items,
                                      splice)
from back_office.editing.responses import Responses
from back_office.editing.translations import Translations

__all__ = ["DESK_FIELDS", "FIELDS", "GENERATED_NLU", "HELDOUT", "KINDS", "STAFF_NLU", "Change",
           "EditConflict", "EditError", "Editor", "Project", "SaveResult", "atomic_write",
           "entry_values", "extra_checks", "validate_guide_text", "values_version"]


class Editor(GuideEntries, Errands, TrainingExamples, Responses, Translations, History):
    """Edits of one project's data files, recorded in the staff database."""

    def __init__(self, project: Project | Path | str, db: Path | str):
        self.project = project if isinstance(project, Project) else Project(Path(project))
        self.db = Path(db)
        self.lock_file = self.db.parent / (self.db.name + ".edit-lock")

    def revert(self, change_id: int, user: str) -> SaveResult:
        """Undo a change: the items it touched go back to how they were before it, other items
        stay as later changes left them; itself a recorded change."""
        with locked(self.lock_file):
            change = self.change(change_id)
            if change is None:
                raise EditError("その変更は見つかりません")
            if change.reverted_by:
                raise EditError(f"この変更はすでに取り消されています（変更 #{change.reverted_by}）")
            path = self.project.root / change.file
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if change.before_text is None:
                raise EditError("新しく作られたファイルの取り消しには対応していません")
            if sha256_text(current) == change.after_sha:
                after = change.before_text
            else:
                after = self._restore_items(change, current)
            guide = None
            if path.parent in (self.project.guide_dir, self.project.office_dir):
                guide = self._validate(path.name, after)
            elif path.parent == self.project.nlu_dir:
                check_nlu_text(after, path.name)
            else:
                yaml.safe_load(after)
            new = self._commit(path, current, after, user,
                               f"変更 #{change.id} を取り消し（{change.summary}）", revert_of=change.id)
            regenerated = self._regenerate_nlu(guide) if guide is not None else False
        return SaveResult(new, needs_retraining=guide is None or regenerated,
                          regenerated_nlu=regenerated)

    def _restore_items(self, change: Change, current: Optional[str]) -> str:
        """The file as it is now with only the items ``change`` touched put back as they were.

        Later changes of other items of the same file stay; an item changed again since
        (in the console or on disk) is an :class:`EditConflict` and nothing is written.
        """
        keys = changed_items(change.before_text, change.after_text)
        now, then = items_of(current), items_of(change.after_text)
        touched = [k for k in keys if now.get(k, MISSING) != then.get(k, MISSING)]
        restored = None
        if current is not None and keys and not touched:
            restored = restore_items(current, change.before_text or "", keys)
            restored = splice(current, restored) if restored is not None else None
        if restored is not None:
            return restored
        later = self._later_change_of(change, touched or keys)
        what = "、".join(f"「{item_label(k)}」" for k in (touched or keys)[:3]) or "このファイル"
        by = (f"（変更 #{later.id}、{later.user}）" if later is not None
              else "（コンソールの外で、ファイルが直接書き換えられました）")
        raise EditConflict(f"{what}は、この変更の後にも変更されています{by}。"
                           "後の変更から順に取り消すか、内容を直接編集してください。",
                           current=current, latest=later or self.latest_change(change.file))

    def _later_change_of(self, change: Change, keys: list[tuple]) -> Optional[Change]:
        """The first change after ``change`` that touched one of these items."""
        for other in reversed(self.changes(limit=1000, file=change.file)):
            if other.id > change.id and set(changed_items(other.before_text, other.after_text)) & set(keys):
                return other
        return None

