from django import forms

from miaobi.library.models import Genre, Tag


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImportForm(forms.Form):
    """Options of a desk import; the files themselves are read from request.FILES ("files")."""

    files = forms.FileField(label="文件（可多选：.txt .md .docx .html .pdf .zip）", required=False,
                            widget=MultipleFileInput(attrs={"multiple": True, "accept": ".txt,.md,.docx,.html,.htm,.pdf,.doc,.zip"}))
    genre = forms.ModelChoiceField(label="文种", queryset=Genre.objects.all(), required=False, to_field_name="slug",
                                   empty_label="自动识别")
    tags = forms.ModelMultipleChoiceField(label="主题（附加到每篇）", queryset=Tag.objects.all(), required=False,
                                          to_field_name="name")
    publish = forms.BooleanField(label="直接发布（疑似重复和需审核的仍为草稿）", required=False)


class OriginalityForm(forms.Form):
    text = forms.CharField(label="粘贴文本", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    file = forms.FileField(label="或上传文件（.txt .md .docx .html .pdf）", required=False)
