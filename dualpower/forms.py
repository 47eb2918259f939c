"""Form helpers shared by every app."""


def posted_data(request):
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST must still bind (and fail validation with a
    clear message) rather than quietly show a blank form.
    """
    return request.POST if request.method == "POST" else None
