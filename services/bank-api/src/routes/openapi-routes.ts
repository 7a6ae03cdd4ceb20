import Router from '@koa/router';
import { openApiText } from '../http/openapi.js';

/** GET /openapi.json: the API's OpenAPI document, unauthenticated and cacheable (it changes only with a release). */
export function openApiRoutes(): Router {
  const text = openApiText();
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = text;
  });
  return router;
}
