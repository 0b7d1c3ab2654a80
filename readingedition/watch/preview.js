// Reload the preview when the watcher has built again: poll the build's version.
(function () {
  var shown = document.documentElement.getAttribute("data-version");
  function poll() {
    fetch("/_version", { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (version) {
        if (version !== shown) { location.reload(); } else { setTimeout(poll, 250); }
      })
      .catch(function () { setTimeout(poll, 1000); });  // the watcher stopped, or is restarting
  }
  setTimeout(poll, 250);
})();
