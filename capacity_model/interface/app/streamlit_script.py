"""The file Streamlit runs for the page (``capacity-model app``); the page itself is ``page.py``.

Streamlit runs this file as ``__main__``, so the processes that do the runs import it again as
``__mp_main__`` when they start: they must not draw the page, hence the guard.
"""

if __name__ != "__mp_main__":
    from capacity_model.interface.app.page import main

    main()
