# A deliberately bad Dockerfile: every line here is something Cerana must flag.
FROM ubuntu:latest AS base
MAINTAINER someone@example.com
ARG NPM_TOKEN
ENV DB_PASSWORD=hunter2 NODE_TLS_REJECT_UNAUTHORIZED=0
RUN apt-get update
RUN apt-get install curl wget
RUN curl -k https://get.example.com/install.sh | sh
RUN wget --no-check-certificate http://example.com/tool.tgz && tar xzf tool.tgz
RUN cd /opt && chmod 777 /opt
ADD https://example.com/app.tar.gz /opt/
ADD config.yml /etc/app/
COPY id_rsa /root/.ssh/id_rsa
RUN pip install --trusted-host pypi.example.com flask
RUN npm config set strict-ssl false && npm install -g typescript
RUN sudo yum install -y --nogpgcheck httpd
EXPOSE 22 80
USER root
CMD node server.js
