import { runAdapterConformance } from '../../src/testing/index.js';
import { webhookSubject } from './webhook-subject.js';

runAdapterConformance(webhookSubject('v1'));
runAdapterConformance(webhookSubject('v1a'));
