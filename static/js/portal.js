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
