"""Escalation to a person (issue 5): records and queue in Redis, RQ jobs, staff actions.

Public names for other features:
  records.Escalation / load / transcript / Entry / OPEN, WAITING, CLOSED   the data
  queue.claim / release / resolve / open_escalations / view_for            the shared queue
  conversation.open_escalation / receive / detach / attach / note          the texter's side
  texter.escalate / converse / leave / staff_desk                          glue for channels
  actions.claim / release / reply / resolve / reveal / mask                staff actions (audited)
  gate.reply_gate                                                          may staff text them now
  jobs.alert / jobs.send_entry / enqueue_alert / enqueue_send              RQ jobs (ids only)
  delivery.send_once / Ledger / Caps                                       each SMS at most once
  senders.read_outbox / OutboxSender / TwilioSender / sender_for           sending one SMS
  seal.seal / seal.unseal                                                  Fernet at rest
  accounts, audit, config.EscalationConfig                                 staff, audit, settings
"""
