"""Creating ER staff accounts under the shared password rule."""
from sqlalchemy import select

from hospital_app.models import Staff
from shared.accounts import hash_password, password_problem
from shared.storage import Database

# Who may have an account here. The board is a wall-mounted screen: the desk's view, long idle
# (hospital_app/config.py); an admin manages accounts and sees no patient (web/admin.py).
ROLES = ("physician", "nurse", "clerk", "board", "admin")
# Who may open a patient's full history (fetched from the hub on demand); anyone else who asks
# is refused, and the attempt is logged and reported like a look.
FULL_HISTORY_ROLES = ("physician",)


def create_staff(db: Database, username: str, display_name: str, role: str, password: str) -> Staff:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    with db.transaction() as s:
        staff = s.scalars(select(Staff).where(Staff.username == username)).first() or Staff(username=username)
        staff.display_name, staff.role, staff.password_hash = display_name, role, hash_password(password)
        s.add(staff)
    return staff
