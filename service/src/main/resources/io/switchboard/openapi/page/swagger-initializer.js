// Points Swagger UI at this gateway's own document. Replaces the webjar's initializer, which
// loads a demo document from the internet.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "../openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The default sends the document to an online validator to draw a badge.
    validatorUrl: null
  });
};
