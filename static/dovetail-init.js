// Runs first thing in <body>: tells the nhsuk-frontend CSS that JavaScript is on (and whether
// its ES modules will load). A file rather than an inline script, so the CSP needs no
// 'unsafe-inline'.
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
