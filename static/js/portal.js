/* Consent Portal: the little the pages need beyond HTML and htmx. Served from our own
   origin (the CSP allows no inline script); every page works without it.

   Wide tables (and code samples) scroll sideways inside their .table-wrap frame on a
   phone. Someone without a mouse or touch screen must be able to scroll them too, so
   while a frame actually scrolls it is a focusable, named region (WCAG 2.1.1); when it
   fits again it goes back to being a plain box, so it is no extra tab stop on a desk. */
(function () {
  "use strict";

  function nameOf(frame) {
    var caption = frame.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var section = frame.closest("section, article");
    var heading = section && section.querySelector("h1, h2, h3");
    var name = heading ? heading.textContent.trim() : "Wide content";
    // Several in one section (code samples): each region needs a name of its own.
    var siblings = section ? section.querySelectorAll(".table-wrap") : [];
    if (siblings.length > 1) {
      name += ", " + (Array.prototype.indexOf.call(siblings, frame) + 1) + " of " + siblings.length;
    }
    return name;
  }

  function fit(frame) {
    var scrolls = frame.scrollWidth > frame.clientWidth + 1;
    if (scrolls && !frame.hasAttribute("data-scroll-region")) {
      frame.setAttribute("data-scroll-region", "");
      frame.setAttribute("tabindex", "0");
      frame.setAttribute("role", "region");
      frame.setAttribute("aria-label", nameOf(frame) + " (scrolls sideways)");
    } else if (!scrolls && frame.hasAttribute("data-scroll-region")) {
      frame.removeAttribute("data-scroll-region");
      frame.removeAttribute("tabindex");
      frame.removeAttribute("role");
      frame.removeAttribute("aria-label");
    }
  }

  var observer = "ResizeObserver" in window
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { fit(entry.target); });
      })
    : null;

  function watch(root) {
    var frames = root.querySelectorAll ? root.querySelectorAll(".table-wrap") : [];
    Array.prototype.forEach.call(frames, function (frame) {
      fit(frame);
      if (observer) { observer.observe(frame); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { watch(document); });
  // Content htmx swaps in (a matrix cell, a notification) may widen a table.
  document.addEventListener("htmx:load", function (event) {
    var frame = event.target.closest && event.target.closest(".table-wrap");
    if (frame) { fit(frame); } else { watch(event.target); }
  });
  if (!observer) {
    window.addEventListener("resize", function () { watch(document); });
  }
})();

/* A decision cell's answer that did not arrive is never silent. htmx leaves the cell as it
   was on a failed request (the responseHandling of base.html swaps nothing for 4xx/5xx);
   here the cell says so in its own live region and offers to send the same answer again
   with a real submit button of the cell's form. While the request is in flight the cell
   is busy and its buttons disabled (hx-disabled-elt), so a double tap sends once. */
(function () {
  "use strict";

  function cellOf(elt) {
    return elt && elt.closest ? elt.closest(".cell") : null;
  }

  function statusOf(cell) {
    return cell ? cell.querySelector(".saved") : null;
  }

  // Which answer the form sent, for the retry to send again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!cellOf(form) || !event.submitter || !event.submitter.name) { return; }
    form.setAttribute("data-sent-name", event.submitter.name);
    form.setAttribute("data-sent-value", event.submitter.value);
  }, true);

  // A disabled button loses the focus; it goes back to the same control once the answer
  // is in (the new cell's, by its id), so a keyboard user carries on from where they were.
  var focused = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var cell = cellOf(event.detail.elt);
    if (!cell) { return; }
    var active = document.activeElement;
    focused = active && active.id && cell.contains(active) ? active.id : null;
    cell.setAttribute("aria-busy", "true");
    var status = statusOf(cell);
    if (status && status.classList.contains("failed")) {
      status.classList.remove("failed");
      status.textContent = "";
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var cell = cellOf(event.detail.elt);
    if (cell) { cell.removeAttribute("aria-busy"); }
    var active = document.activeElement;
    var again = focused && document.getElementById(focused);
    if (again && (!active || active === document.body)) { again.focus(); }
  });

  function fail(form, words, retry) {
    var cell = cellOf(form);
    var status = statusOf(cell);
    if (!status) { return; }
    cell.removeAttribute("aria-busy");
    status.classList.add("failed");
    status.textContent = words + " ";
    var name = form.getAttribute("data-sent-name");
    if (!retry || !name || !form.id) { return; }
    var again = document.createElement("button");
    again.type = "submit";
    again.className = "retry";
    again.setAttribute("form", form.id);
    again.name = name;
    again.value = form.getAttribute("data-sent-value") || "";
    var group = form.querySelector("[role=group]");
    again.textContent = "Try again";
    if (group) { again.setAttribute("aria-label", "Try again: " + group.getAttribute("aria-label")); }
    status.appendChild(again);
    if (window.htmx) { window.htmx.process(again); }
  }

  document.addEventListener("htmx:sendError", function (event) {
    if (cellOf(event.detail.elt)) {
      fail(event.detail.elt, "Not saved: the connection failed.", true);
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (!cellOf(form)) { return; }
    var status = event.detail.xhr.status;
    if (status === 403) {
      fail(form, "Not saved: the page has expired. Reload it, then answer again.", false);
    } else {
      fail(form, "Not saved: the server could not save it (error " + status + ").", true);
    }
  });

  // Signed out meanwhile: the answer came back as the sign-in page, which must not land
  // inside the cell.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt;
    var xhr = event.detail.xhr;
    if (!cellOf(form) || !xhr.responseURL || !form.action) { return; }
    if (new URL(xhr.responseURL).pathname !== new URL(form.action).pathname) {
      event.detail.shouldSwap = false;
      fail(form, "Not saved: you are signed out. Reload the page to sign in, then answer again.", false);
    }
  });
})();
