import { describe, expect, it } from 'vitest';
import { LogTail } from '../../infra/services/log-tail.js';
import { parseProcState } from '../../infra/services/process-state.js';
import { parseReply } from '../../infra/services/resp.js';
import { parsePasswd } from '../../infra/services/system-user.js';

describe('service helpers', () => {
  it('waits for a whole RESP bulk reply before returning it', () => {
    expect(parseReply(Buffer.from('+PONG\r\n'))).toBe('+PONG');
    expect(parseReply(Buffer.from('$11\r\nprocess_'))).toBeUndefined();
    expect(parseReply(Buffer.from('$11\r\nprocess_id:\r\n'))).toBe('process_id:');
  });

  it('finds a system user in passwd text', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL:/var/lib/postgresql:/bin/bash\n';
    expect(parsePasswd(passwd, 'postgres')).toEqual({ name: 'postgres', uid: 101, gid: 104 });
    expect(parsePasswd(passwd, 'nobody')).toBeUndefined();
  });

  it('reads the process state even when the command name has spaces and parentheses', () => {
    expect(parseProcState('4242 (redis-server (x) y) Z 1 4242')).toBe('Z');
  });

  it('keeps only the last lines of a log, including an unfinished one', () => {
    const tail = new LogTail(2);
    tail.push('one\ntwo\nthr');
    tail.push('ee\nfour');
    expect(tail.text()).toBe('three\nfour');
  });
});
