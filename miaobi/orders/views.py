from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from miaobi.exports.filenames import content_disposition
from miaobi.library.models import Article

from . import services, workflow
from .access import customer_actor, is_writer_only, staff_actor, writers
from .forms import BriefForm, DeliveryForm, MessageForm, QuoteForm, RevisionForm
from .models import Attachment, NotificationSetting, Order, State
from .selectors import desk_queue, studio_figures
from .uploads import UploadRefused
from .workflow import CUSTOMER, STAFF, TransitionRefused


def _order_link(order: Order, actor) -> str:
    url = reverse("orders:detail", args=[order.number])
    return url if actor and actor.user and order.customer_id == actor.user.pk else f"{url}?t={order.tracking_token}"


def new_order(request):
    """The brief: from an article (?ref=), a search without results (?topic=) or the navigation."""
    initial = {}
    ref = None
    ref_id = request.GET.get("ref", "")
    if ref_id.isdigit() and len(ref_id) < 19:
        ref = Article.objects.published().select_related("genre").filter(pk=int(ref_id)).first()
        if ref:
            initial.update(genre=ref.genre, topic=ref.title, references=[ref])
    if request.GET.get("topic"):
        initial["topic"] = request.GET["topic"][:200]
    if request.user.is_authenticated:
        initial.setdefault("contact_mobile", request.user.mobile or "")
        initial.setdefault("contact_email", request.user.email or "")
    form = BriefForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("references", "attachments", "consent")}
        try:
            with transaction.atomic():  # an order whose files could not be kept is not created
                order = services.create_order(customer=request.user if request.user.is_authenticated else None,
                                              references=form.cleaned_data["references"], **data)
                if form.cleaned_data["attachments"]:
                    actor = workflow.Actor(CUSTOMER, request.user if request.user.is_authenticated else None)
                    services.post_message(order, actor=actor, body="（下单时上传的材料）",
                                          files=form.cleaned_data["attachments"])
        except services.BriefRefused as exc:
            form.add_error(None, exc.message)
        except UploadRefused as exc:
            form.add_error("attachments", exc.message)
        else:
            request.session[f"order-token-{order.number}"] = order.tracking_token
            return render(request, "orders/created.html", {
                "order": order, "link": request.build_absolute_uri(_order_link(order, None))})
    return render(request, "orders/new.html", {"form": form, "ref": ref, "revisions": settings.MIAOBI_ORDER_REVISIONS})


def _customer_order(request, number: str):
    order = get_object_or_404(Order, number=number)
    actor = customer_actor(request, order)
    if actor is None:
        raise Http404("订单不存在")
    return order, actor


def order_detail(request, number: str):
    order, actor = _customer_order(request, number)
    services.mark_read(order, CUSTOMER)
    return render(request, "orders/detail.html", {
        "order": order, "actor": actor,
        "moves": dict(workflow.allowed_moves(order, CUSTOMER)),
        "events": order.events.all(), "thread": order.messages.prefetch_related("attachments"),
        "deliveries": workflow.released_deliveries(order).select_related("attachment"),
        "message_form": MessageForm(initial={"body": request.session.pop(_draft_key(order), "")}),
        "revision_form": RevisionForm(),
        "revisions_left": max(0, settings.MIAOBI_ORDER_REVISIONS - order.revisions_used),
        "can_claim": request.user.is_authenticated and order.customer_id is None,
        "token": request.session.get(f"order-token-{order.number}", ""),
    })


@require_POST
def customer_action(request, number: str, action: str):
    order, actor = _customer_order(request, number)
    targets = {"accept": State.ACCEPTED, "revise": State.REVISION_REQUESTED, "complete": State.COMPLETED,
               "cancel": State.CANCELLED}
    try:
        if action == "message":
            form = MessageForm(request.POST, request.FILES)
            if not form.is_valid():
                raise services.BriefRefused("；".join(e for errors in form.errors.values() for e in errors))
            services.post_message(order, actor=actor, body=form.cleaned_data["body"],
                                  files=form.cleaned_data["attachments"])
            messages.success(request, "留言已发送。")
        elif action == "claim":
            if not request.user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?next={reverse('orders:detail', args=[number])}")
            services.claim_order(order, request.user)
            messages.success(request, "订单已关联到您的账户，可在“我的”页面查看。")
        elif action == "erase":
            if not request.user.is_authenticated:
                raise TransitionRefused("请先登录并关联订单后再删除资料。")
            services.erase_customer_data(order, request.user)
            messages.success(request, "订单中的需求、联系方式、留言和文件已删除。")
        elif action in targets:
            workflow.move_order(order, targets[action], actor=actor, note=request.POST.get("note", ""))
            messages.success(request, "操作成功。")
        else:
            raise Http404("未知操作")
    except (TransitionRefused, services.BriefRefused, UploadRefused) as exc:
        messages.error(request, exc.message)
        if action == "message":  # the text typed is shown again in the message box
            request.session[_draft_key(order)] = request.POST.get("body", "")[:5000]
    return redirect(_order_link(order, actor))


def _draft_key(order: Order) -> str:
    return f"order-draft-{order.number}"


def attachment(request, number: str, pk: int):
    """Serve a file of an order to its customer or to the studio only."""
    order = get_object_or_404(Order, number=number)
    if staff_actor(request.user, order) is None and customer_actor(request, order) is None:
        raise Http404("文件不存在")
    item = get_object_or_404(Attachment, pk=pk, order=order)
    is_staff = staff_actor(request.user, order) is not None
    delivery = getattr(item, "delivery", None)
    if delivery and not is_staff and not workflow.released_deliveries(order).filter(pk=delivery.pk).exists():
        raise Http404("文件不存在")  # not handed over yet
    if not item.file or not item.file.storage.exists(item.file.name):
        raise Http404("文件已按保存期限删除")
    response = FileResponse(item.file.open("rb"), content_type="application/octet-stream")
    ext = item.original_name.rsplit(".", 1)[-1] if "." in item.original_name else item.kind
    response["Content-Disposition"] = content_disposition(item.original_name.rsplit(".", 1)[0], ext)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_orders(request):
    setting, _ = NotificationSetting.objects.get_or_create(user=request.user)
    if request.method == "POST":
        setting.email_enabled = request.POST.get("email_enabled") == "on"
        setting.save()
        messages.success(request, "提醒设置已保存。")
        return redirect("orders:mine")
    orders = Order.objects.filter(customer=request.user).order_by("-created_at")
    return render(request, "orders/mine.html", {"orders": orders, "setting": setting})


@login_required
def export_my_orders(request):
    response = HttpResponse(services.export_customer_data(request.user), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(f"我的订单-{request.user.member_no}", "zip")
    return response


# --- the studio's desk -------------------------------------------------------------------------------

@staff_member_required
def desk(request):
    state = request.GET.get("state", "")
    writer = request.GET.get("writer", "")
    orders = list(desk_queue(request.user, state=state, writer=writer, show_closed=request.GET.get("closed") == "1"))
    for order in orders:
        order.unread = services.unread_count(order, STAFF)
    return render(request, "orders/desk.html", {
        "orders": orders, "states": State.choices, "state": state, "writer": writer, "writers": writers(),
        "figures": studio_figures(),
    })


def _staff_order(request, number):
    order = get_object_or_404(Order.objects.select_related("writer", "customer", "genre"), number=number)
    actor = staff_actor(request.user, order)
    if actor is None:
        raise Http404("订单不存在")
    return order, actor


@staff_member_required
def desk_detail(request, number: str):
    order, actor = _staff_order(request, number)
    services.mark_read(order, STAFF)
    return render(request, "orders/desk_detail.html", {
        "order": order, "moves": dict(workflow.allowed_moves(order, STAFF)),
        "events": order.events.select_related("actor"), "thread": order.messages.prefetch_related("attachments"),
        "deliveries": order.deliveries.select_related("attachment"),
        "quote_form": QuoteForm(initial={"price": order.price, "deposit": order.deposit,
                                         "promised_at": order.promised_at or order.deadline}),
        "delivery_form": DeliveryForm(), "writers": writers(),
        "message_form": MessageForm(initial={"body": request.session.pop(_draft_key(order), "")}),
        "has_unreleased": workflow.unreleased_deliveries(order).exists(),
        "customer_link": request.build_absolute_uri(f"{reverse('orders:detail', args=[order.number])}?t={order.tracking_token}"),
    })


STAFF_MOVES = {"deposit": State.DEPOSIT_PAID, "start": State.WRITING, "cancel": State.CANCELLED,
               "refund": State.REFUNDED}


@staff_member_required
@require_POST
def desk_action(request, number: str, action: str):
    order, actor = _staff_order(request, number)
    note = request.POST.get("note", "")
    try:
        if action == "quote":
            form = QuoteForm(request.POST)
            if not form.is_valid():
                raise TransitionRefused("；".join(e for errors in form.errors.values() for e in errors))
            workflow.move_order(order, State.QUOTED, actor=actor, note=form.cleaned_data["note"],
                                price=form.cleaned_data["price"], deposit=form.cleaned_data["deposit"],
                                promised_at=form.cleaned_data["promised_at"])
        elif action == "assign":
            if is_writer_only(request.user):
                raise TransitionRefused("只有编辑可以分配写手。")
            writer_id = request.POST.get("writer", "")
            writer = get_user_model().objects.filter(pk=writer_id, is_staff=True).first() if writer_id.isdigit() else None
            Order.objects.filter(pk=order.pk).update(writer=writer)
        elif action == "deliver":
            form = DeliveryForm(request.POST, request.FILES)
            if not form.is_valid():
                raise TransitionRefused("请选择要交付的 .docx 文件。")
            services.add_delivery(order, actor=actor, upload=form.cleaned_data["file"], note=form.cleaned_data["note"])
            messages.info(request, "交付稿已上传。请查看查重报告，确认后点击“交付给客户”。")
            return redirect("orders:desk_detail", number=order.number)
        elif action == "release":
            latest = workflow.unreleased_deliveries(order).order_by("-version").first()
            workflow.move_order(order, State.DELIVERED, actor=actor,
                                note=(latest.note if latest and latest.note else "交付稿件"))
        elif action == "balance":
            workflow.record_balance_payment(order, actor=actor)
        elif action == "message":
            form = MessageForm(request.POST, request.FILES)
            if not form.is_valid():
                raise TransitionRefused("；".join(e for errors in form.errors.values() for e in errors))
            services.post_message(order, actor=actor, body=form.cleaned_data["body"],
                                  files=form.cleaned_data["attachments"])
        elif action in STAFF_MOVES:
            workflow.move_order(order, STAFF_MOVES[action], actor=actor, note=note)
        else:
            raise Http404("未知操作")
        messages.success(request, "操作成功。")
    except (TransitionRefused, services.BriefRefused, UploadRefused) as exc:
        messages.error(request, exc.message)
        if action == "message":  # the text typed is shown again in the message box
            request.session[_draft_key(order)] = request.POST.get("body", "")[:5000]
    return redirect("orders:desk_detail", number=order.number)
