from django.urls import path

from .views import allocation, applications, editor, exhibitor, fees, floorplan_import, organizer, payments, plan

app_name = "booths"

E = "e/<slug:event_slug>/booths/"

urlpatterns = [
    path(E, plan.floor_plan, name="floor_plan"),
    path(f"{E}state.json", plan.plan_state_json, name="plan_state"),
    path(f"{E}hold/", exhibitor.hold, name="hold"),
    path(f"{E}reserve/", exhibitor.reserve, name="reserve"),
    path(f"{E}cancel/", exhibitor.cancel, name="cancel"),
    path(f"{E}waitlist/join/", exhibitor.join_waitlist, name="join_waitlist"),
    path(f"{E}waitlist/leave/", exhibitor.leave_waitlist, name="leave_waitlist"),
    path(f"{E}payments/<id:request_id>/", payments.payment_page, name="payment"),
    path(f"{E}payments/<id:request_id>/notice.pdf", payments.payment_notice, name="payment_notice"),
    path(f"{E}payments/<id:request_id>/receipt.pdf", payments.payment_receipt, name="payment_receipt"),
    path(f"{E}apply/", applications.apply, name="apply"),
    path(f"{E}apply/product/", applications.product_edit, name="product_add"),
    path(f"{E}apply/product/<id:product_id>/", applications.product_edit, name="product_edit"),
    path(f"{E}manage/", organizer.manage, name="manage"),
    path(f"{E}manage/fees/", fees.fees, name="fees"),
    path(f"{E}manage/fees/statements/", fees.statements, name="statements"),
    path(f"{E}manage/fees/lines/<id:line_id>/<str:action>/", fees.line_action, name="line_action"),
    path(f"{E}manage/fees/payments/<id:request_id>/", fees.fee_request, name="fee_request"),
    path(f"{E}manage/fees/payments/<id:request_id>/<str:action>/", fees.fee_action, name="fee_action"),
    path(f"{E}manage/applications/", applications.review_list, name="applications"),
    path(f"{E}manage/applications/<id:application_id>/<str:decision>/", applications.decide, name="decide"),
    path(f"{E}manage/allocation/", allocation.allocation, name="allocation"),
    path(f"{E}manage/allocation/<id:run_id>/commit/", allocation.commit, name="allocation_commit"),
    path(f"{E}manage/import/", floorplan_import.import_booths_view, name="import"),
    path(f"{E}manage/signs.pdf", plan.all_signs, name="all_signs"),
    path(f"{E}manage/editor/", editor.editor, name="editor"),
    path(f"{E}manage/editor/halls/<id:hall_id>/", editor.hall_edit, name="hall_edit"),
    path(f"{E}manage/editor/zones/<id:zone_id>/", editor.zone_edit, name="zone_edit"),
    path(f"{E}manage/editor/<str:code>/", editor.move, name="move_booth"),
    path(f"{E}manage/<str:code>/", organizer.manage_booth, name="manage_booth"),
    path(f"{E}manage/<str:code>/<str:action>/", organizer.booth_action, name="booth_action"),
    path(f"{E}<str:code>/", plan.booth_page, name="booth_page"),
    path(f"{E}<str:code>/sign.pdf", plan.booth_sign, name="booth_sign"),
]
