import { subscriptionRequest } from './subscriptions';

describe('subscription credentials from graphql-ws connection params', () => {
  it('passes the access token and the API key on as the headers the HTTP path reads', () => {
    expect(subscriptionRequest({ Authorization: 'Bearer abc' }).headers).toEqual({
      authorization: 'Bearer abc',
    });
    expect(subscriptionRequest({ 'X-API-Key': 'sbk_1' }).headers).toEqual({ 'x-api-key': 'sbk_1' });
  });

  it('makes no other header out of the params, and ignores values that are not strings', () => {
    expect(
      subscriptionRequest({
        'x-forwarded-for': '10.0.0.1',
        cookie: 'session=1',
        authorization: { token: 'abc' },
      }).headers,
    ).toEqual({});
    expect(subscriptionRequest(undefined).headers).toEqual({});
  });
});
