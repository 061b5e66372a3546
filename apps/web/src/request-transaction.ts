import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  NestMiddleware,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';

import { serviceUnavailable } from '@schoolbench/graphql';
import { TenantTransactions, type RequestScope } from '@schoolbench/tenancy';

declare module 'express' {
  interface Request {
    requestScope?: RequestScope;
  }
}

const READS = new Set(['GET', 'HEAD']);

/**
 * A page read is one tenant transaction (ADR 0040), as a GraphQL query is: begun here, before the
 * access guard, so that the sign-in check is its first statement; every service the page calls
 * joins it; ended by `PageTransactionInterceptor` before the page is rendered. Forms (POST) keep
 * a transaction per service call.
 */
@Injectable()
export class PageTransactionMiddleware implements NestMiddleware {
  constructor(private readonly tx: TenantTransactions) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (READS.has(req.method)) {
      const scope = this.tx.beginRequest('REPEATABLE READ');
      if (scope) {
        req.requestScope = scope;
        // However the request ends (a guard refusing it, a client gone), the connection goes
        // back to the pool; after a normal page this finds the scope ended and does nothing. A
        // response streamed whole from the handler (an export's archive, its download recorded in
        // this transaction) commits; one cut short rolls back.
        res.once('close', () => void scope.end(res.writableFinished ? 'commit' : 'rollback'));
      }
    }
    next();
  }
}

/**
 * Commits a page read's transaction once its handler has the page's data, before the page is
 * rendered: what the page shows of partners' rows is logged durably before it leaves. A handler
 * that failed shows no data: its transaction is rolled back.
 */
@Injectable()
export class PageTransactionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = context.switchToHttp().getRequest<Request>().requestScope;
    if (!scope) return next.handle();
    return next.handle().pipe(
      mergeMap((page: unknown) =>
        from(
          scope.end('commit').then((outcome) => {
            if (outcome.opened && !outcome.committed) {
              throw (
                serviceUnavailable(outcome.failure) ??
                new Error('The page’s transaction could not commit')
              );
            }
            return page;
          }),
        ),
      ),
      // Before the error page is rendered, so that the response's close finds the scope ended.
      catchError((error: unknown) =>
        from(scope.end('rollback')).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}
